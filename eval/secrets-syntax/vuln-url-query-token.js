// Streams live prices to the dashboard.
const socket = new WebSocket("wss://prices.exchange.example/stream?access_token=Gq7kPz2LmX9vR4tW8yB1nC6dF0hJ3sA5");
socket.onmessage = (event) => render(JSON.parse(event.data));
