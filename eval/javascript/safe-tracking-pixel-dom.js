(function () {
  var params = new URLSearchParams(window.location.search);
  var campaign = params.get("utm_campaign") || "direct";
  var img = document.createElement("img");
  img.src = "/pixel.gif?c=" + encodeURIComponent(campaign);
  img.width = 1;
  img.height = 1;
  document.body.appendChild(img);
})();
