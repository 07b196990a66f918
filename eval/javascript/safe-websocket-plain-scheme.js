const LIVE_SCHEME = location.protocol === "https:" ? "wss://" : "ws://localhost:8080";

export function connectLiveFeed(host, token) {
  const socket = new WebSocket("wss://" + host + "/feed?token=" + encodeURIComponent(token));
  socket.addEventListener("open", () => socket.send(JSON.stringify({ subscribe: "prices" })));
  return socket;
}
