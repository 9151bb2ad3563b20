/**
 * The supervisor-approval prompt: a supervisor at the till signs in with their PIN (at
 * this register), the till sends the refused command again with the supervisor's token
 * (the sales context records them as the approver), then signs that session out.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useClient } from "urql";
import { t } from "../i18n/strings";
import { Field } from "../shell/ui";
import { CommandError, runCommand } from "./command";
import { SignInWithPin, SupervisorSignOut } from "./operations";

export interface Approver {
  accessToken: string;
  name: string;
  release: () => void;
}

interface Props {
  message: string;
  registerId: string;
  onDone: (approver: Approver | null) => void;
}

export function ApprovalDialog({ message, registerId, onDone }: Props) {
  const client = useClient();
  const [username, setUsername] = useState("");
  const [pin, setPin] = useState("");
  const [error, setError] = useState("");
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.querySelector("input")?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const session = (await runCommand(client, SignInWithPin, { input: { username: username.trim(), pin, registerId } })).signInWithPin;
      if (!session.staff.roles.some((r) => r === "SUPERVISOR" || r === "MANAGER" || r === "ADMIN")) {
        void runCommand(client, SupervisorSignOut, { refreshToken: session.refreshToken }).catch(() => undefined);
        setError(t("till.notSupervisor", { name: session.staff.displayName }));
        return;
      }
      onDone({
        accessToken: session.accessToken,
        name: session.staff.displayName,
        release: () => void runCommand(client, SupervisorSignOut, { refreshToken: session.refreshToken }).catch(() => undefined),
      });
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }

  return (
    <div className="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="approval-title" className="card dialog" ref={first}
        onKeyDown={(e) => { if (e.key === "Escape") onDone(null); }}>
        <h2 id="approval-title">{t("till.approval")}</h2>
        <p>{message}</p>
        <form onSubmit={submit}>
          <Field label={t("till.supervisor")} name="supervisor" value={username} required autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
          <Field label={t("till.pin")} name="pin" type="password" inputMode="numeric" value={pin} required autoComplete="off" onChange={(e) => setPin(e.target.value)} />
          {error ? <p role="alert" className="error">{error}</p> : null}
          <button type="submit">{t("till.approve")}</button>
          <button type="button" className="secondary" onClick={() => onDone(null)}>{t("common.cancel")}</button>
        </form>
      </div>
    </div>
  );
}
