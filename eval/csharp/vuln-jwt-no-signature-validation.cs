using Microsoft.IdentityModel.Tokens;

builder.Services.AddAuthentication("Bearer").AddJwtBearer(options =>
{
    options.TokenValidationParameters = new TokenValidationParameters
    {
        ValidateIssuer = true,
        ValidIssuer = "https://login.example.com",
        ValidateAudience = true,
        ValidAudience = "api",
        ValidateIssuerSigningKey = false,
        RequireSignedTokens = false,
    };
});
