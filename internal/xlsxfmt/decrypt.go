package xlsxfmt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"strings"
	"unicode/utf16"
)

// An encrypted workbook (ECMA-376 document encryption, [MS-OFFCRYPTO]) is an OLE2
// compound file with two streams: EncryptionInfo, which says how the key follows from
// the password, and EncryptedPackage, the zip package encrypted with AES. Two of its
// three schemes are read here:
//
//   - agile (version 4.4, Excel 2010 and later, LibreOffice): an XML description; the
//     key comes from the password hashed spinCount times (SHA-512 by default; SHA-1,
//     SHA-256, SHA-384 and MD5 too), the package is AES-CBC in 4096-byte segments;
//   - standard (version 2.2, 3.2 or 4.2, Excel 2007): SHA-1 hashed 50,000 times,
//     AES-ECB.
//
// Both carry a verifier, so a wrong password is told apart from a damaged file. The
// extensible scheme (third-party providers) and RC4 are refused as unsupported.

// errWrongPassword is returned by decryptWorkbook when the password does not open the
// workbook's key.
var errWrongPassword = errors.New("wrong password")

// maxSpinCount bounds the password hashing a file may ask for: Office writes 100,000;
// a damaged or hostile header must not make the reader spin for hours.
const maxSpinCount = 10_000_000

// decryptWorkbook returns the zip package that encPackage (the EncryptedPackage
// stream) holds, decrypted with password as info (the EncryptionInfo stream) says.
func decryptWorkbook(info, encPackage []byte, password string) ([]byte, error) {
	if len(info) < 8 {
		return nil, errors.New("its EncryptionInfo stream is cut short")
	}
	major, minor := binary.LittleEndian.Uint16(info), binary.LittleEndian.Uint16(info[2:])
	switch {
	case major == 4 && minor == 4:
		return decryptAgile(info[8:], encPackage, password)
	case major >= 2 && major <= 4 && minor == 2:
		return decryptStandard(info[8:], encPackage, password)
	case (major == 3 || major == 4) && minor == 3:
		return nil, errors.New("extensible encryption (a third-party provider) is not supported")
	}
	return nil, fmt.Errorf("encryption version %d.%d is not supported", major, minor)
}

// Block keys of agile encryption ([MS-OFFCRYPTO] 2.3.4.13): each derives one key from
// the hashed password.
var (
	blockKeyVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	blockKeyVerifierHash  = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	blockKeyPackageKey    = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
)

// agileParams are the attributes of an agile EncryptionInfo's keyData (the package's
// encryption) or of its password key encryptor (the key's encryption).
type agileParams struct {
	SaltValue       string `xml:"saltValue,attr"`
	HashAlgorithm   string `xml:"hashAlgorithm,attr"`
	CipherAlgorithm string `xml:"cipherAlgorithm,attr"`
	CipherChaining  string `xml:"cipherChaining,attr"`
	BlockSize       int    `xml:"blockSize,attr"`
	KeyBits         int    `xml:"keyBits,attr"`
}

type agileInfo struct {
	KeyData       agileParams `xml:"keyData"`
	KeyEncryptors []struct {
		URI          string `xml:"uri,attr"`
		EncryptedKey struct {
			agileParams
			SpinCount                  int    `xml:"spinCount,attr"`
			EncryptedVerifierHashInput string `xml:"encryptedVerifierHashInput,attr"`
			EncryptedVerifierHashValue string `xml:"encryptedVerifierHashValue,attr"`
			EncryptedKeyValue          string `xml:"encryptedKeyValue,attr"`
		} `xml:"encryptedKey"`
	} `xml:"keyEncryptors>keyEncryptor"`
}

const passwordKeyEncryptor = "http://schemas.microsoft.com/office/2006/keyEncryptor/password"

func decryptAgile(description, encPackage []byte, password string) ([]byte, error) {
	var info agileInfo
	if err := xml.Unmarshal(description, &info); err != nil {
		return nil, fmt.Errorf("its encryption description cannot be read: %v", err)
	}
	found := -1
	for i, e := range info.KeyEncryptors {
		if e.URI == passwordKeyEncryptor {
			found = i
		}
	}
	if found < 0 {
		return nil, errors.New("it is encrypted for a certificate, not a password, which is not supported")
	}
	ek := info.KeyEncryptors[found].EncryptedKey
	if err := checkAgileParams(ek.agileParams); err != nil {
		return nil, err
	}
	if err := checkAgileParams(info.KeyData); err != nil {
		return nil, err
	}
	if ek.SpinCount < 0 || ek.SpinCount > maxSpinCount {
		return nil, fmt.Errorf("its spin count %d is out of range", ek.SpinCount)
	}
	salt, err := base64.StdEncoding.DecodeString(ek.SaltValue)
	if err != nil {
		return nil, fmt.Errorf("its salt is not base64: %v", err)
	}
	newHash := hashFunc(ek.HashAlgorithm)
	h := hashPassword(newHash, salt, password, ek.SpinCount)
	keyOf := func(blockKey []byte) []byte {
		return fitLength(hashOf(newHash, h, blockKey), ek.KeyBits/8, 0x36)
	}
	iv := fitLength(salt, ek.BlockSize, 0x36)
	verifierInput, err := decryptCBC(keyOf(blockKeyVerifierInput), iv, ek.EncryptedVerifierHashInput)
	if err != nil {
		return nil, err
	}
	verifierHash, err := decryptCBC(keyOf(blockKeyVerifierHash), iv, ek.EncryptedVerifierHashValue)
	if err != nil {
		return nil, err
	}
	want := hashOf(newHash, verifierInput[:min(len(salt), len(verifierInput))])
	if len(verifierHash) < len(want) || subtle.ConstantTimeCompare(verifierHash[:len(want)], want) != 1 {
		return nil, errWrongPassword
	}
	packageKey, err := decryptCBC(keyOf(blockKeyPackageKey), iv, ek.EncryptedKeyValue)
	if err != nil {
		return nil, err
	}
	if len(packageKey) < info.KeyData.KeyBits/8 {
		return nil, errors.New("its encrypted key is cut short")
	}
	packageKey = packageKey[:info.KeyData.KeyBits/8]
	packageSalt, err := base64.StdEncoding.DecodeString(info.KeyData.SaltValue)
	if err != nil {
		return nil, fmt.Errorf("its package salt is not base64: %v", err)
	}
	block, err := aes.NewCipher(packageKey)
	if err != nil {
		return nil, err
	}
	size, body, err := packageBody(encPackage, info.KeyData.BlockSize)
	if err != nil {
		return nil, err
	}
	// Segments of 4096 bytes, each with its own IV: the hash of the salt and the
	// segment's index.
	const segment = 4096
	packageHash := hashFunc(info.KeyData.HashAlgorithm)
	out := make([]byte, len(body))
	index := make([]byte, 4)
	for i := 0; i*segment < len(body); i++ {
		from, to := i*segment, min((i+1)*segment, len(body))
		binary.LittleEndian.PutUint32(index, uint32(i))
		segIV := fitLength(hashOf(packageHash, packageSalt, index), info.KeyData.BlockSize, 0x36)
		cipher.NewCBCDecrypter(block, segIV).CryptBlocks(out[from:to], body[from:to])
	}
	return out[:size], nil
}

// checkAgileParams refuses what the agile reader does not do: ciphers other than AES
// in CBC mode and unknown hash algorithms.
func checkAgileParams(p agileParams) error {
	if p.CipherAlgorithm != "AES" || p.CipherChaining != "ChainingModeCBC" {
		return fmt.Errorf("cipher %s %s is not supported (AES in CBC mode is)", p.CipherAlgorithm, p.CipherChaining)
	}
	if hashFunc(p.HashAlgorithm) == nil {
		return fmt.Errorf("hash algorithm %q is not supported (SHA-1, SHA-256, SHA-384, SHA-512 and MD5 are)", p.HashAlgorithm)
	}
	switch p.KeyBits {
	case 128, 192, 256:
	default:
		return fmt.Errorf("a key of %d bits is not an AES key", p.KeyBits)
	}
	if p.BlockSize != aes.BlockSize {
		return fmt.Errorf("a block size of %d bytes is not AES's", p.BlockSize)
	}
	return nil
}

func hashFunc(name string) func() hash.Hash {
	switch strings.ToUpper(name) {
	case "SHA512":
		return sha512.New
	case "SHA384":
		return sha512.New384
	case "SHA256":
		return sha256.New
	case "SHA1":
		return sha1.New
	case "MD5":
		return md5.New
	}
	return nil
}

func hashOf(newHash func() hash.Hash, parts ...[]byte) []byte {
	h := newHash()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// hashPassword is H(salt + password) rehashed spinCount times with the iteration's
// number in front ([MS-OFFCRYPTO] 2.3.4.11 and 2.3.4.7); the password is UTF-16LE.
func hashPassword(newHash func() hash.Hash, salt []byte, password string, spinCount int) []byte {
	units := utf16.Encode([]rune(password))
	pw := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(pw[2*i:], u)
	}
	h := newHash()
	h.Write(salt)
	h.Write(pw)
	sum := h.Sum(nil)
	iter := make([]byte, 4)
	for i := range spinCount {
		binary.LittleEndian.PutUint32(iter, uint32(i))
		h.Reset()
		h.Write(iter)
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
	return sum
}

// fitLength truncates b to n bytes or pads it with pad.
func fitLength(b []byte, n int, pad byte) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{pad}, n-len(b))...)
}

// decryptCBC decrypts the base64 text enc with AES-CBC.
func decryptCBC(key, iv []byte, enc string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("its encrypted key is not base64: %v", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("its encrypted key is not a whole number of AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(data, data)
	return data, nil
}

// packageBody splits the EncryptedPackage stream into the package's size (its first 8
// bytes) and the encrypted bytes, whole blocks that hold at least that size.
func packageBody(encPackage []byte, blockSize int) (int, []byte, error) {
	if len(encPackage) < 8 {
		return 0, nil, errors.New("its EncryptedPackage stream is cut short")
	}
	size := binary.LittleEndian.Uint64(encPackage)
	body := encPackage[8:]
	body = body[:len(body)-len(body)%blockSize]
	if size > uint64(len(body)) {
		return 0, nil, fmt.Errorf("its EncryptedPackage stream holds %d bytes, not the %d it declares", len(body), size)
	}
	return int(size), body, nil
}

// Standard encryption ([MS-OFFCRYPTO] 2.3.4.5): a binary header and verifier.
const (
	standardSpinCount = 50_000
	algAES128         = 0x660E
	algAES192         = 0x660F
	algAES256         = 0x6610
	algSHA1           = 0x8004
)

func decryptStandard(rest, encPackage []byte, password string) ([]byte, error) {
	if len(rest) < 4 {
		return nil, errors.New("its encryption header is cut short")
	}
	headerSize := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if headerSize < 32 || uint64(headerSize) > uint64(len(rest)) {
		return nil, errors.New("its encryption header is cut short")
	}
	header, verifier := rest[:headerSize], rest[headerSize:]
	algID, hashID, keyBits := binary.LittleEndian.Uint32(header[8:]), binary.LittleEndian.Uint32(header[12:]), binary.LittleEndian.Uint32(header[16:])
	switch algID {
	case algAES128, algAES192, algAES256:
	default:
		return nil, fmt.Errorf("cipher 0x%04x is not supported (AES is)", algID)
	}
	if hashID != algSHA1 && hashID != 0 {
		return nil, fmt.Errorf("hash 0x%04x is not supported (SHA-1 is)", hashID)
	}
	if keyBits != 128 && keyBits != 192 && keyBits != 256 {
		return nil, fmt.Errorf("a key of %d bits is not an AES key", keyBits)
	}
	// Verifier: salt size, salt (16), encrypted verifier (16), hash size, encrypted
	// verifier hash (32: the 20 bytes of SHA-1 in two AES blocks).
	if len(verifier) < 4+16+16+4+32 || binary.LittleEndian.Uint32(verifier) != 16 {
		return nil, errors.New("its encryption verifier is cut short")
	}
	salt := verifier[4:20]
	h := hashPassword(sha1.New, salt, password, standardSpinCount)
	final := hashOf(sha1.New, h, []byte{0, 0, 0, 0})
	// The key derivation of CryptDeriveKey: SHA-1 of the hash XORed into 64 bytes of
	// 0x36, then of 0x5c, concatenated and cut to the key's length.
	derive := func(pad byte) []byte {
		buf := bytes.Repeat([]byte{pad}, 64)
		for i, b := range final {
			buf[i] ^= b
		}
		return hashOf(sha1.New, buf)
	}
	key := append(derive(0x36), derive(0x5c)...)[:keyBits/8]
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plainVerifier := make([]byte, 16)
	block.Decrypt(plainVerifier, verifier[20:36])
	verifierHash := make([]byte, 32)
	block.Decrypt(verifierHash[:16], verifier[40:56])
	block.Decrypt(verifierHash[16:], verifier[56:72])
	if subtle.ConstantTimeCompare(hashOf(sha1.New, plainVerifier), verifierHash[:sha1.Size]) != 1 {
		return nil, errWrongPassword
	}
	size, body, err := packageBody(encPackage, aes.BlockSize)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(body))
	for i := 0; i < len(body); i += aes.BlockSize {
		block.Decrypt(out[i:i+aes.BlockSize], body[i:i+aes.BlockSize])
	}
	return out[:size], nil
}
