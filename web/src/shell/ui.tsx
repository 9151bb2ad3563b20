/** Building blocks every screen uses: labelled fields, status messages, tables, errors. */
import type { ReactNode } from "react";
import type { CombinedError } from "urql";
import { t } from "../i18n/strings";

let nextId = 0;
function fieldId(name: string): string {
  nextId += 1;
  return `f-${name}-${nextId}`;
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  type?: string;
  required?: boolean;
  autoFocus?: boolean;
  inputMode?: "numeric" | "decimal" | "text" | "search";
  pattern?: string;
  autoComplete?: string;
  min?: string;
  readOnly?: boolean;
}

export function Field({ label, ...input }: FieldProps) {
  const id = fieldId(input.name);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </div>
  );
}

interface SelectProps {
  label: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  options: readonly { value: string; label: string }[];
  required?: boolean;
}

export function Select({ label, options, ...select }: SelectProps) {
  const id = fieldId(select.name);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A GraphQL error as a person reads it: the message, and its code for support. */
export function errorText(error: CombinedError): string {
  if (error.networkError) return error.networkError.message;
  return error.graphQLErrors
    .map((e) => {
      const code = e.extensions?.code;
      return code ? `${e.message} (${String(code)})` : e.message;
    })
    .join("; ");
}

export function ErrorMessage({ error }: { error?: CombinedError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {t("common.error", { message: errorText(error) })}
    </p>
  );
}

export function Status({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="status" className="status">
      {children}
    </p>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p aria-live="polite">{t("common.loading")}</p> : null;
}
