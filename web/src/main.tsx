import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { LOCALE } from "./format";
import { selectLocale } from "./i18n/strings";
import "./styles.css";

selectLocale(LOCALE);
document.documentElement.lang = LOCALE;
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
