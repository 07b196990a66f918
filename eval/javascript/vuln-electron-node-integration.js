// corgi-expect: js-electron-insecure-web-preferences
const { app, BrowserWindow } = require("electron");

app.whenReady().then(() => {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    webPreferences: { nodeIntegration: true, contextIsolation: false },
  });
  win.loadURL("https://app.example.com/");
});
