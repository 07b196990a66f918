const PARENT_ORIGIN = "https://portal.example.com";

export function sendSessionToParent(session) {
  window.parent.postMessage({ type: "session", accessToken: session.accessToken }, PARENT_ORIGIN);
}
