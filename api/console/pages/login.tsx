import { Layout, type PageContext } from './layout.js';

interface LoginProps {
  readonly ctx: PageContext;
  readonly next: string | undefined;
  readonly username?: string;
  readonly error?: string;
  readonly notice?: string;
}

export function LoginPage({ ctx, next, username = '', error, notice }: LoginProps) {
  const { t, site } = ctx;
  return (
    <Layout ctx={ctx} title={t('signIn')}>
      <div class="login">
        <h1>{t('signInTitle', { site })}</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p class="alert" role="alert" id="login-error">
            {error}
          </p>
        )}
        <form method="post" action={`/${site}/login`}>
          {next && <input type="hidden" name="next" value={next} />}
          <div class="field">
            <label for="username">{t('username')}</label>
            <input
              id="username"
              name="username"
              autocomplete="username"
              required
              maxlength={64}
              value={username}
              autofocus
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="password">{t('password')}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength={256} />
          </div>
          <button type="submit">{t('signIn')}</button>
        </form>
      </div>
    </Layout>
  );
}
