// Moves the guest's key from this page's fragment into the key frame, then removes it here.
const frame = document.getElementById('key');
const keyPage = new URL(frame.dataset.keyPage);
keyPage.hash = location.hash;
history.replaceState(null, '', location.pathname + location.search);
frame.src = keyPage.href;
