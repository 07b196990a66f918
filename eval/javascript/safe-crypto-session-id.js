const crypto = require("crypto");

const sessions = new Map();

function createSession(userId) {
  const sessionId = crypto.randomBytes(32).toString("base64url");
  sessions.set(sessionId, { userId, created: Date.now() });
  return sessionId;
}

function confettiOffset() {
  return Math.floor(Math.random() * 40) - 20;
}

module.exports = { createSession, confettiOffset, sessions };
