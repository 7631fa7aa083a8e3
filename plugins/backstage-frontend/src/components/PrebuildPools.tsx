/**
 * A platform-team view of a template's prebuild pools: per preset the desired, running,
 * eligible (claimable now), starting and expired counts, created/failed/claimed totals, status
 * (`healthy` or `hard_limited` after repeated failures) and the reconciler's explanation.
 */
import { Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@material-ui/core';
import type { ApiPrebuildPool } from '@berth/backstage-plugin-common';

/** The pools table; renders nothing when there are no pools. */
export function PrebuildPools({ pools }: { pools: ApiPrebuildPool[] }) {
  if (!pools.length) return null;
  return (
    <Table size="small" aria-label="prebuild pools">
      <TableHead>
        <TableRow>
          <TableCell>Preset</TableCell><TableCell>Ready</TableCell><TableCell>Starting</TableCell><TableCell>Expired</TableCell>
          <TableCell>Created / failed / claimed</TableCell><TableCell>Status</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {pools.map((p) => (
          <TableRow key={p.preset_id}>
            <TableCell>{p.preset}{p.active ? '' : ' (old version: being replaced)'}</TableCell>
            <TableCell>{`${p.eligible} of ${p.desired}`}</TableCell>
            <TableCell>{p.starting}</TableCell>
            <TableCell>{p.expired}</TableCell>
            <TableCell>{`${p.created} / ${p.failed} / ${p.claimed}`}</TableCell>
            <TableCell>
              <Chip size="small" label={p.status} color={p.status === 'healthy' ? 'default' : 'secondary'} />
              <Typography variant="caption" color="textSecondary" display="block">{p.explanation}</Typography>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
