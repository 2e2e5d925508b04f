// The receipt's QR code carries the lookup secret in the fragment (#secret=…), which the
// browser never sends: move it into the posted form, drop it from the address, look up.
document.addEventListener("DOMContentLoaded", () => {
  const secret = new URLSearchParams(window.location.hash.slice(1)).get("secret");
  const form = document.getElementById("lookup-form");
  if (!secret || !form) return;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  form.elements.secret.value = secret;
  if (form.elements.code.value) form.submit();
});
