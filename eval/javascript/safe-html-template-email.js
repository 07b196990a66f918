const escapeHtml = require("escape-html");

function invitationEmail(invite) {
  return `<p>Hello,</p><p>${escapeHtml(invite.inviterName)} invited you to <b>${escapeHtml(invite.teamName)}</b>.</p>`;
}

module.exports = { invitationEmail };
