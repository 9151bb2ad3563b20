import { t } from "../i18n/strings";
import { useConnectionState } from "./hooks";

/** The gateway's reachability, always in the header (and announced when it changes). */
export function ConnectionBadge() {
  const state = useConnectionState();
  return (
    <span className={`conn conn-${state}`} role="status" aria-label={t("conn.label")} data-state={state}>
      {t(`conn.${state}`)}
    </span>
  );
}
