/* The near-me page (/join/stations/): sort the stations by distance from the phone.
 *
 * The location is asked of the phone (navigator.geolocation) and used here only: the distance
 * to each station is computed in the phone (haversine, R = 6371.0088 km, the same formula as
 * positions/geo.py) and the list is re-ordered. Nothing is sent anywhere: this script makes no
 * request. Without the permission (or without this script) the list stays in township order.
 */
(function () {
  "use strict";

  var EARTH_RADIUS_KM = 6371.0088;
  var list = document.getElementById("stations");
  var status = document.getElementById("near-status");
  if (!list || !status) {
    return;
  }
  var townshipText = status.textContent;

  function radians(degrees) {
    return (degrees * Math.PI) / 180;
  }

  function distanceKm(lat1, lng1, lat2, lng2) {
    var dPhi = radians(lat2 - lat1);
    var dLambda = radians(lng2 - lng1);
    var a =
      Math.sin(dPhi / 2) * Math.sin(dPhi / 2) +
      Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function label(km) {
    if (km < 1) {
      return "约 " + Math.max(10, Math.round(km * 100) * 10) + " 米";
    }
    return "约 " + (km < 10 ? km.toFixed(1) : Math.round(km)) + " 公里";
  }

  function sortFrom(lat, lng) {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (item, index) {
      item.nearKm = distanceKm(lat, lng, parseFloat(item.dataset.lat), parseFloat(item.dataset.lng));
      item.nearIndex = index;
    });
    items.sort(function (a, b) {
      return a.nearKm - b.nearKm || a.nearIndex - b.nearIndex;
    });
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) {
      var shown = item.querySelector(".near-dist");
      if (shown) {
        shown.textContent = label(item.nearKm);
      }
      fragment.appendChild(item);
    });
    list.appendChild(fragment);
    list.dataset.sorted = "distance";
    status.textContent = "已按离您的距离排列（位置只在本机使用，没有发送）。";
  }

  function keepTownshipOrder() {
    list.dataset.sorted = "township";
    status.textContent = townshipText + " 未获得位置权限，无法按距离排列。";
  }

  if (!navigator.geolocation) {
    keepTownshipOrder();
    return;
  }
  status.textContent = "正在获取您的位置，以便按距离排列……";
  navigator.geolocation.getCurrentPosition(
    function (position) {
      sortFrom(position.coords.latitude, position.coords.longitude);
    },
    keepTownshipOrder,
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
  );
})();
