"""What every area uses: the audit trail, paging, stored settings, CSV streaming, raw-input readers."""
