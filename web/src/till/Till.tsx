/** The till (placeholder until the sales API is in the graph). */
import { t } from "../i18n/strings";

export function Till() {
  return <h1>{t("nav.till")}</h1>;
}
