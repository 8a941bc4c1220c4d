// Sign-in with a curfew account (the same accounts as the APIs). The password goes once, as HTTP Basic, to
// /api/authentication; the session cookie it sets is HttpOnly, so no script on the page can read it.
import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { useAction } from '../use-resource.js';

export function LoginPage(props: { onSignedIn: () => void; notice?: string | undefined }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => signIn(user, password))) props.onSignedIn();
  };
  return (
    <main class="login">
      <form class="panel" onSubmit={submit}>
        <h1>curfew</h1>
        <p class="muted">See who is connected where, and end their sessions everywhere.</p>
        {props.notice && <p class="notice">{props.notice}</p>}
        <label for="login-user">User name</label>
        <input
          id="login-user"
          autocomplete="username"
          required
          value={user}
          onInput={(e) => setUser(e.currentTarget.value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorNote error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
