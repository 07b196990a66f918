// corgi-expect: js-postmessage-any-target
export function sendSessionToParent(session) {
  window.parent.postMessage({ type: "session", accessToken: session.accessToken }, "*");
}
