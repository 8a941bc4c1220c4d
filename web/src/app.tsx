// The console shell: who is signed in (and what they may do), the navigation, the live event stream, and the page
// for the current path.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, can, type Me, OBJECTS, signedOut, whoAmI } from './api.js';
import { connectLive, disconnectLive, useLiveStatus } from './live.js';
import { AccessPage } from './pages/access.js';
import { AuditPage } from './pages/audit.js';
import { CurfewsPage } from './pages/curfews.js';
import { DevicesPage } from './pages/devices.js';
import { LoginPage } from './pages/login.js';
import { SessionsPage } from './pages/sessions.js';
import { TaskDetailPage } from './pages/task-detail.js';
import { TasksPage } from './pages/tasks.js';
import { navigate, onLinkClick, usePath } from './router.js';

interface NavItem {
  path: string;
  label: string;
  visible: (me: Me) => boolean;
}

const NAV: readonly NavItem[] = [
  { path: '/sessions', label: 'Sessions', visible: (me) => can(me, OBJECTS.sessions, 'read') },
  { path: '/tasks', label: 'Kill tasks', visible: (me) => can(me, OBJECTS.sessions, 'read') },
  { path: '/curfews', label: 'Curfews', visible: (me) => can(me, OBJECTS.curfews, 'read') },
  { path: '/devices', label: 'Devices', visible: (me) => can(me, OBJECTS.devices, 'read') },
  { path: '/access', label: 'Users & privileges', visible: (me) => can(me, OBJECTS.aaa, 'read') },
  { path: '/audit', label: 'Audit log', visible: (me) => can(me, OBJECTS.audit, 'read') },
];

function Page(props: { path: string; me: Me }) {
  const { path, me } = props;
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task?.[1]) return <TaskDetailPage taskKey={decodeURIComponent(task[1])} me={me} />;
  if (path === '/tasks') return <TasksPage />;
  const curfew = /^\/curfews\/([^/]+)$/.exec(path);
  if (curfew?.[1]) return <CurfewsPage me={me} curfewKey={decodeURIComponent(curfew[1])} />;
  if (path === '/curfews') return <CurfewsPage me={me} />;
  if (path === '/devices') return <DevicesPage me={me} />;
  if (path === '/access') return <AccessPage me={me} />;
  if (path === '/audit') return <AuditPage />;
  return <SessionsPage me={me} />;
}

export function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const live = useLiveStatus();
  const signedIn = useRef(false);
  signedIn.current = Boolean(me);

  const refreshMe = useCallback(() => {
    whoAmI().then(setMe, () => setMe(null));
  }, []);
  useEffect(refreshMe, []);
  useEffect(() => {
    // A 401 while signed in: the login expired or was ended elsewhere (before sign-in, a 401 is just "not yet").
    const onSignedOut = () => {
      if (!signedIn.current) return;
      setNotice('Your session ended. Sign in again.');
      setMe(null);
    };
    signedOut.addEventListener('signedout', onSignedOut);
    return () => signedOut.removeEventListener('signedout', onSignedOut);
  }, []);
  useEffect(() => {
    if (me && can(me, OBJECTS.sessions, 'read')) connectLive();
    else disconnectLive();
  }, [me]);

  if (me === undefined) return <p class="muted loading">Loading…</p>;
  if (me === null) {
    return (
      <LoginPage
        notice={notice}
        onSignedIn={() => {
          setNotice(undefined);
          refreshMe();
        }}
      />
    );
  }
  const signOut = async () => {
    await api('DELETE', '/api/authentication').catch(() => undefined);
    setMe(null);
    navigate('/');
  };
  const current = path === '/' ? '/sessions' : path;
  return (
    <>
      <header class="top">
        <a class="brand" href="/sessions" onClick={(e) => onLinkClick(e, '/sessions')}>
          curfew
        </a>
        <nav aria-label="Main">
          {NAV.filter((item) => item.visible(me)).map((item) => (
            <a
              key={item.path}
              href={item.path}
              aria-current={current.startsWith(item.path) ? 'page' : undefined}
              onClick={(e) => onLinkClick(e, item.path)}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span class={live ? 'live on' : 'live'} title="Live updates from the server">
          {live ? 'Live' : 'Offline'}
        </span>
        <span class="who">{me.name}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page path={current} me={me} />
      </main>
    </>
  );
}
