// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // The session ends after a while without activity (components/session_notice.html): warn two
  // minutes before, and at the end open the page again (a GET: never a form sent again), so that the personal data on it is no
  // longer on screen (the server then shows the sign-in page and says why).
  const notice = document.querySelector("[data-session-seconds-left]");
  if (notice) {
    const secondsLeft = Number(notice.dataset.sessionSecondsLeft);
    const warning = notice.querySelector("[data-session-warning]");
    if (Number.isFinite(secondsLeft)) {
      window.setTimeout(() => {
        if (warning) {
          warning.hidden = false;
        }
      }, Math.max(0, secondsLeft - 120) * 1000);
      window.setTimeout(() => window.location.assign(window.location.href), (secondsLeft + 1) * 1000);
    }
  }
});
