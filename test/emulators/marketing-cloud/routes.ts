// Route names, for the request log and for fault injection (`server.faults.inject({ route })`).
export const MC_ROUTES = {
  token: 'mc.token',
  status: 'mc.secrets.status',
  stage: 'mc.secrets.stage',
  activate: 'mc.secrets.activate',
} as const;
