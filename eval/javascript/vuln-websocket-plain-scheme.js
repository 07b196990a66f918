// corgi-expect: js-insecure-websocket-url
const LIVE_SCHEME = "ws://";

export function connectLiveFeed(host, token) {
  const socket = new WebSocket(LIVE_SCHEME + host + "/feed?token=" + encodeURIComponent(token));
  socket.addEventListener("open", () => socket.send(JSON.stringify({ subscribe: "prices" })));
  return socket;
}
