using Microsoft.AspNetCore.Mvc;

public class AccountController : Controller
{
    private readonly SignInManager<AppUser> _signIn;
    public AccountController(SignInManager<AppUser> signIn) => _signIn = signIn;

    [HttpPost]
    public async Task<IActionResult> Login(LoginModel model, string returnUrl = null)
    {
        var result = await _signIn.PasswordSignInAsync(model.Email, model.Password, model.RememberMe, false);
        if (!result.Succeeded) return View(model);
        return LocalRedirect(returnUrl ?? "/");
    }
}
