(function () {
  var params = new URLSearchParams(window.location.search);
  var campaign = params.get("utm_campaign") || "direct";
  document.write('<img src="/pixel.gif?c=' + campaign + '" width="1" height="1">');
})();
