using Microsoft.IdentityModel.Tokens;

builder.Services.AddAuthentication("Bearer").AddJwtBearer(options =>
{
    options.Authority = "https://login.example.com";
    options.TokenValidationParameters = new TokenValidationParameters
    {
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidAudience = "api",
        ValidateIssuerSigningKey = true,
        ValidateLifetime = true,
    };
});
