// corgi-expect: js-html-template-literal
function invitationEmail(invite) {
  return `<p>Hello,</p><p>${invite.inviterName} invited you to <b>${invite.teamName}</b>.</p>`;
}

module.exports = { invitationEmail };
