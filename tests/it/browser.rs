//! End-to-end in a real browser (Debian chromium + chromedriver, driven with fantoccini):
//! sign in and register a resident through the UI. Skipped, saying so, when chromedriver is
//! not installed (`.ci/run` installs it).
