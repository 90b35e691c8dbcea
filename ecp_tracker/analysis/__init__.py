"""Pure statistics: plain data in, frozen dataclasses out. numpy, scipy, statsmodels and the domain only."""
