"""One `ReceiptData`, several outputs: HTML (a Django template), PDF, plain text, ESC/POS.

Renderers read only the data object; none of them touches the database or formats money.
"""
