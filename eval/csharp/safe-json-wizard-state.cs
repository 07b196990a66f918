using System.Text.Json;

public static class WizardState
{
    public static WizardStep Restore(string base64)
    {
        var json = Convert.FromBase64String(base64);
        return JsonSerializer.Deserialize<WizardStep>(json) ?? new WizardStep();
    }
}
