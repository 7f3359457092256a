"""What the server's two faces, the HTTP API (``ledger.api``) and the workbench
(``ledger.workbench``), share: the process's services, the bearer keys, the key check's
read context, the wait for ``at_least`` and the rule of where a read answers. Neither
face imports the other's modules; both import these."""
