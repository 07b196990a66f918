function issueAuthCookie(res, token) {
  res.cookie("auth_token", token, {
    maxAge: 7 * 24 * 3600 * 1000,
    httpOnly: true,
    secure: true,
    sameSite: "lax",
  });
}

module.exports = { issueAuthCookie };
