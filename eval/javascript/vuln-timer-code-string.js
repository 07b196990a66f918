// corgi-expect: js-dataflow-code-timer
window.addEventListener("message", (event) => {
  if (event.origin !== "https://dashboard.example.com") return;
  const hook = event.data.onReady;
  setTimeout(hook, 0);
});
