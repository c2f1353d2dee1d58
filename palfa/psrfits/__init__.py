"""PSRFITS search-mode beams: headers, reading, writing and Mock file naming."""
