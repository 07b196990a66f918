const WIDGET_ORIGIN = "https://widgets.example.com";

function applyWidgetCommand(event) {
  if (event.origin !== WIDGET_ORIGIN) return;
  const { command, payload } = event.data || {};
  if (command === "theme") {
    document.body.className = payload.theme === "dark" ? "dark" : "light";
  }
}

window.addEventListener("message", applyWidgetCommand, false);
