"""The official forms 01–06 (Circular 01/2018/TT-VPCP annex) as PDF, and the register as XLSX."""
