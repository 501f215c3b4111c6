"""Built-in lint rules: one module per rule, each registered in the ``qbank.rules`` entry-point group.

Codes group by concern: QB0xx input (YAML, schema), QB1xx answer keys and options, QB2xx feedback,
QB3xx item-writing flaws, QB4xx bank-wide checks, QB5xx content and media.
"""
