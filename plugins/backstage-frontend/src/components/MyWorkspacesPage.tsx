/**
 * "My workspaces": every workspace the user may read, with the API's Coder-style search
 * (`owner:me`, `template:x`, `status:running`, `entity:<ref>`, `outdated:true`, free text).
 * The query lives in the URL (`?q=`), so a search can be bookmarked and shared.
 */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Content, ContentHeader, Header, Page } from '@backstage/core-components';
import { Box, InputAdornment, TextField, Typography } from '@material-ui/core';
import Search from '@material-ui/icons/Search';
import { parseWorkspaceSearch } from '@berth/backstage-plugin-common';
import { WorkspacesPanel } from './WorkspacesPanel';

/** Default search of the page. */
export const DEFAULT_QUERY = 'owner:me';

/** The search box and the live list. */
export function MyWorkspacesContent() {
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? DEFAULT_QUERY;
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  let syntaxError: string | null = null;
  try { parseWorkspaceSearch(text); } catch (e) { syntaxError = (e as Error).message; }

  // apply the search after a pause in typing, only when it parses
  useEffect(() => {
    if (syntaxError || text === query) return undefined;
    const t = setTimeout(() => setParams(text === DEFAULT_QUERY ? {} : { q: text }, { replace: true }), 400);
    return () => clearTimeout(t);
  }, [text, query, syntaxError, setParams]);

  return (
    <>
      <Box mb={2}>
        <TextField
          fullWidth variant="outlined" size="small" id="berth-search" label="Search workspaces"
          value={text} onChange={(e) => setText(e.target.value)}
          error={Boolean(syntaxError)}
          helperText={syntaxError ?? 'owner:me template:local status:running entity:component:default/shop outdated:true, or part of a name'}
          InputProps={{ startAdornment: <InputAdornment position="start"><Search fontSize="small" /></InputAdornment> }}
        />
      </Box>
      {syntaxError
        // a malformed search shows no rows of the previous one
        ? <Typography variant="body2" color="textSecondary" role="status">Fix the search to see workspaces.</Typography>
        : <WorkspacesPanel query={query} showOwner={!/\bowner:me\b/.test(query)} emptyTitle="No workspaces match" create={{}} limit={200} />}
    </>
  );
}

/** The page (routable). */
export function MyWorkspacesPage() {
  return (
    <Page themeId="tool">
      <Header title="My workspaces" subtitle="Berth: cloud development workspaces" />
      <Content>
        <ContentHeader title="Workspaces">
          <Typography variant="body2" color="textSecondary">Create, start, stop and follow your workspaces; every decision is in the history.</Typography>
        </ContentHeader>
        <MyWorkspacesContent />
      </Content>
    </Page>
  );
}
