// corgi-expect: js-postmessage-no-origin-check
function applyWidgetCommand(event) {
  const { command, payload } = event.data || {};
  if (command === "navigate") {
    window.location.assign(payload.url);
  } else if (command === "theme") {
    document.body.className = payload.theme;
  }
}

window.addEventListener("message", applyWidgetCommand, false);
