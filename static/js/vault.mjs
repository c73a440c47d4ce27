// The film vault's pages. Everything here enhances a page that works without it: the plain upload form, typed
// clip times, and clips listed in order.

const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
const show = (node, text, isError) => {
  node.textContent = text;
  node.classList.toggle("nhsuk-error-message", Boolean(isError));
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resumable upload (ADR 0025): open the upload, then send the file in parts from where the server says it stands.
// A dropped line is retried from the server's offset; choosing the same file after a reload resumes it.
async function upload(form, file) {
  const progress = form.querySelector("#upload-progress");
  const chunk = Number(form.dataset.chunkSize);
  const headers = { "X-CSRFToken": csrf(), "Tus-Resumable": "1.0.0" };
  const created = await fetch(form.dataset.createUrl, {
    method: "POST",
    headers: { ...headers, "Upload-Length": String(file.size) },
    credentials: "same-origin",
  });
  if (!created.ok) {
    const answer = await created.json().catch(() => ({}));
    show(progress, answer.detail || "The upload could not start. Try again.", true);
    return;
  }
  const location = created.headers.get("Location");
  let offset = Number(created.headers.get("Upload-Offset"));
  let failures = 0;
  while (offset < file.size) {
    show(progress, `Uploaded ${Math.floor((offset / file.size) * 100)}% of the film`);
    try {
      const sent = await fetch(location, {
        method: "PATCH",
        headers: { ...headers, "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
        body: file.slice(offset, Math.min(offset + chunk, file.size)),
        credentials: "same-origin",
      });
      if (sent.status === 422) {
        window.location.assign(form.dataset.doneUrl);
        return;
      }
      if (!sent.ok && sent.status !== 409) throw new Error(String(sent.status));
      offset = Number(sent.headers.get("Upload-Offset"));
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures > 8) {
        show(progress, "The connection was lost. Choose the same file again to carry on where it stopped.", true);
        return;
      }
      show(progress, "The connection dropped: trying again…");
      await sleep(Math.min(30000, 1000 * 2 ** failures));
      const head = await fetch(location, { method: "HEAD", headers, credentials: "same-origin" }).catch(() => null);
      if (head && head.ok) offset = Number(head.headers.get("Upload-Offset"));
    }
  }
  show(progress, "Uploaded. Checking the film…");
  window.location.assign(form.dataset.doneUrl);
}

const form = document.getElementById("film-upload");
if (form && window.fetch && window.Blob) {
  form.addEventListener("submit", (event) => {
    const input = form.querySelector("input[type=file]");
    if (!input || !input.files.length) return; // the server says what is missing
    event.preventDefault();
    form.querySelector("button[type=submit]").disabled = true;
    upload(form, input.files[0]).finally(() => {
      form.querySelector("button[type=submit]").disabled = false;
    });
  });
}

// Marking a clip on the player: the buttons copy the player's time into the start and end boxes.
const player = document.getElementById("film-player");
const asTime = (seconds) => {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
};
document.querySelectorAll("[data-mark]").forEach((button) => {
  if (!player) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    document.getElementById(button.dataset.mark).value = asTime(player.currentTime);
  });
});

// The shared review: the chosen clips one after another in one player, and full screen on request.
const review = document.getElementById("review-player");
if (review) {
  const items = Array.from(document.querySelectorAll("[data-clip-src]"));
  let current = 0;
  const play = (index) => {
    current = index;
    review.src = items[index].dataset.clipSrc;
    review.poster = items[index].dataset.clipPoster || "";
    items.forEach((item, i) => item.toggleAttribute("aria-current", i === index));
  };
  review.addEventListener("ended", () => {
    if (current + 1 < items.length) {
      play(current + 1);
      review.play();
    }
  });
  items.forEach((item, index) =>
    item.querySelector("button")?.addEventListener("click", () => {
      play(index);
      review.play();
    }),
  );
  const full = document.getElementById("review-full-screen");
  if (full && review.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", () => review.requestFullscreen());
  }
}
