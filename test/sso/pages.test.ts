import { describe, expect, it } from 'vitest';
import { errorPage, invitationAcceptedPage, invitationPage, ldapLoginPage, linkConfirmPage, loginPage, logoutPage, setupPage } from '../../src/sso/pages.ts';

// Every server-rendered page says what to do next (issue 12 §11); an invitee on a
// deployment with no sign-in provider is told how to get in, not sent to a dead end.

const NEXT = /<p class="next"><strong>What to do next:<\/strong> ([^]*?)<\/p>/;
const nextOf = (html: string) => html.match(NEXT)?.[1] ?? null;
const invitation = { orgName: 'Acme <Research>', invitee: 'nia@acme.example', orgRole: 'member', expiresAt: new Date('2026-12-01T10:00:00Z') };

describe('server-rendered pages say the next step', () => {
  it.each([
    ['sign-in with providers', loginPage([{ href: '/auth/oidc/okta/login', label: 'Okta' }]), /choose the way your organization signs you in/],
    ['sign-in without providers', loginPage([]), /orgbridge admin-link &lt;your email&gt;.*configure your organization's identity provider/],
    ['LDAP form', ldapLoginPage({ action: '/auth/ldap/login', returnTo: null, csrf: 'x' }), null],
    ['one-time link', linkConfirmPage('/auth/link/t'), /choose Sign in\. You land on the organization dashboard/],
    ['invitation, signed out', invitationPage('/auth/invite/t', invitation, false), /sign in as nia@acme\.example; you come back to this page/],
    ['invitation, signed in', invitationPage('/auth/invite/t', invitation, true), /choose Accept invitation\. You join Acme &#60;Research&#62;/],
    ['invitation, no provider', invitationPage('/auth/invite/t', invitation, false, false), /no sign-in provider configured yet.*orgbridge admin-link nia@acme\.example/],
    ['joined', invitationAcceptedPage('Acme'), /open the dashboard/],
    ['sign out', logoutPage(), /choose Sign out/],
    ['setup', setupPage('/setup/t'), /You land on the dashboard/],
    ['refusal', errorPage(403, 'No.'), /ask an administrator of your organization/],
    ['used link', errorPage(410, 'Gone.'), /ask whoever sent you the link for a new one/],
    ['throttled', errorPage(429, 'Slow down.'), /wait a few minutes/],
    ['outage', errorPage(503, 'Down.'), /try again in a few minutes.*server log/],
  ])('%s', (_name, html, expected) => {
    if (expected === null) {
      // The LDAP form is itself the next step: its submit button and a way back.
      expect(html).toContain('<button type="submit">Sign in</button>');
      expect(html).toContain('<a href="/login">Other ways to sign in</a>');
      return;
    }
    const next = nextOf(html);
    expect(next).not.toBeNull();
    expect(next).toMatch(expected);
  });

  it('an invitee with no provider still gets the sign-in link (an operator link lands them back here)', () => {
    const html = invitationPage('/auth/invite/t', invitation, false, false);
    expect(html).toContain('href="/login?returnTo=%2Fauth%2Finvite%2Ft"');
  });
});
