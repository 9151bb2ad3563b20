// One JSON object per line on stdout: what the Python tests read.
export function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

// Errors as plain JSON (Error objects stringify to {}).
export function describe(error) {
  if (Array.isArray(error)) return { graphQLErrors: error };
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...plain(error) };
  }
  return { value: error };
}

function plain(error) {
  const out = {};
  for (const key of ["errors", "graphQLErrors", "code", "reason"]) {
    if (error[key] !== undefined) out[key] = error[key];
  }
  return out;
}

// argv: the endpoint URL, the GraphQL document, then optionally the variables as JSON.
export function request() {
  const [url, query, variables] = process.argv.slice(2);
  if (!url || !query) {
    process.stderr.write("usage: node SCRIPT URL QUERY [VARIABLES_JSON]\n");
    process.exit(2);
  }
  return { url, query, variables: variables ? JSON.parse(variables) : undefined };
}

// Prints each callback of one subscription as a line ({event: "next", ...show(result)},
// "error", "complete"), unsubscribes itself after `stopAfter` results (0: never), and once
// the subscription is over runs `finish` (dispose the client) and prints "done".
// `subscribe(sink)` starts the subscription and returns a function that unsubscribes.
export function printSubscription(subscribe, { stopAfter, finish, show }) {
  let seen = 0;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    setImmediate(async () => {
      await finish();
      emit({ event: "done" });
    });
  };
  const unsubscribe = subscribe({
    next(result) {
      emit({ event: "next", ...show(result) });
      seen += 1;
      if (stopAfter && seen >= stopAfter) {
        unsubscribe();
        emit({ event: "unsubscribed" });
        close();
      }
    },
    error(error) {
      emit({ event: "error", error: describe(error) });
      close();
    },
    complete() {
      emit({ event: "complete" });
      close();
    },
  });
}
