"""Who may come in and what they may see: accounts, sessions, sign-in, second factor, passwords,
recovery, onboarding, sub-users and the profile."""
