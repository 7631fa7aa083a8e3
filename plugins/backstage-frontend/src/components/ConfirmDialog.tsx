/**
 * Confirmation dialogs of the lifecycle actions, as the TUI's: stop and cancel ask yes/no with
 * "No" focused (Enter or Esc keeps the workspace as it is); delete asks for the workspace's name.
 */
import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@material-ui/core';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  body: React.ReactNode;
  confirmLabel: string;
  /** When set, the user must type this text (the workspace name) to confirm. */
  typeToConfirm?: string;
  danger?: boolean;
  onConfirm(): void;
  onClose(): void;
}

/** A yes/no (or type-the-name) confirmation; the safe choice has the focus. */
export function ConfirmDialog({ open, title, body, confirmLabel, typeToConfirm, danger, onConfirm, onClose }: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const ok = typeToConfirm === undefined || typed === typeToConfirm;
  const close = () => { setTyped(''); onClose(); };
  const confirm = () => { if (!ok) return; setTyped(''); onConfirm(); };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="berth-confirm-title" maxWidth="xs" fullWidth>
      <DialogTitle id="berth-confirm-title">{title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">{body}</DialogContentText>
        {typeToConfirm !== undefined && (
          <TextField
            autoFocus fullWidth margin="dense" variant="outlined"
            label={`Type "${typeToConfirm}" to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') confirm(); }}
            inputProps={{ 'aria-label': 'workspace name to confirm', spellCheck: false }}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} autoFocus={typeToConfirm === undefined}>No, keep it</Button>
        <Button onClick={confirm} disabled={!ok} color={danger ? 'secondary' : 'primary'} variant="contained">{confirmLabel}</Button>
      </DialogActions>
    </Dialog>
  );
}
