"""``python -m sparsefact`` is the ``sparsefact`` command."""

import sys

from .cli import main

sys.exit(main())
