// Opens a tracking page: the key is the link's #fragment, which the browser never sends
// to the host; the content is AES-GCM ciphertext bound to this page's address. Nothing
// is loaded from anywhere; a wrong, cut or missing key shows the error and no data.
(async function () {
  "use strict";
  var sealed = document.getElementById("dp-sealed");
  var content = document.getElementById("dp-content");
  var loading = document.getElementById("dp-loading");
  var failure = document.getElementById("dp-error");
  function fail() {
    loading.hidden = true;
    content.hidden = true;
    failure.hidden = false;
  }
  function bytes(text) {
    var plain = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(plain), function (c) { return c.charCodeAt(0); });
  }
  try {
    var fragment = window.location.hash.slice(1);
    if (!/^[A-Za-z0-9_-]{43}$/.test(fragment) || !window.crypto || !window.crypto.subtle) {
      fail();
      return;
    }
    var key = await window.crypto.subtle.importKey("raw", bytes(fragment), "AES-GCM", false, ["decrypt"]);
    var box = bytes(sealed.getAttribute("data-sealed"));
    var plain = await window.crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: box.slice(0, 12),
        additionalData: new TextEncoder().encode(sealed.getAttribute("data-address")),
      },
      key,
      box.slice(12)
    );
    // Authenticated under this page's key: written, and escaped, by the site build.
    content.innerHTML = new TextDecoder().decode(plain);
    loading.hidden = true;
    content.hidden = false;
  } catch (err) {
    fail();
  }
})();
