import { t } from "../i18n/strings";

export function Forbidden() {
  return (
    <section className="card" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">{t("forbidden.title")}</h1>
      <p>{t("forbidden.body")}</p>
    </section>
  );
}
