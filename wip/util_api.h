/* ---------------------------------------------------------------------
   Util: SHA-1, base64, incremental UTF-8 check.
   Small pure functions the WebSocket handshake and the Engine.IO polling
   transport need; no allocation except sio_base64_buf (through the buffer).
   ------------------------------------------------------------------- */

/* SHA-1 (RFC 3174) of data[0..len). Used only for the WebSocket accept key,
   where it is a checksum, not a security primitive. */
SIO_API void sio_sha1(const void *data, size_t len, unsigned char out[20]);

/* Length of the base64 encoding of n bytes: 4*ceil(n/3), without the NUL.
   Saturates at (size_t)-1 when the result would not fit. */
SIO_API size_t sio_base64_encoded_len(size_t n);

/* Standard alphabet (RFC 4648 section 4), '=' padding. Returns the full
   encoded length whatever cap is; writes the encoding only when it fits
   (cap >= that length) and then a NUL if one more byte is free, so
   `sio_base64_encode(src, n, NULL, 0)` sizes the output like snprintf. */
SIO_API size_t sio_base64_encode(const void *src, size_t n, char *dst, size_t cap);

/* Strict decoder: standard alphabet only (no '-', '_', whitespace), padded
   ("QQ==") or unpadded ("QQ") input, '=' only at the very end, and the
   unused low bits of the last character must be zero ("QR==" is refused),
   so every byte string has exactly one accepted spelling.
   Returns SIO_OK and sets *out_len (may be NULL); SIO_ERR_PARSE on bad
   input; SIO_ERR_TOO_BIG when cap is too small (*out_len then holds the
   size needed and dst is untouched). */
SIO_API int sio_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, size_t *out_len);

/* Appends the encoding (no NUL) to b. Returns SIO_OK or the buffer error. */
SIO_API int sio_base64_buf(sio_buf *b, const void *src, size_t n);

/* Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
   nothing above U+10FFFF), for text that arrives in pieces, such as a
   fragmented WebSocket message whose fragments may split a character.
   Start with *state = 0 and feed the pieces in order. Returns 0 while the
   text is valid so far, -1 as soon as it is not (and keeps failing after).
   The text is complete and valid only if the last call returned 0 AND
   *state is 0 again (a non-zero state means a character is cut short). */
SIO_API int sio_utf8_check(unsigned *state, const char *s, size_t n);
