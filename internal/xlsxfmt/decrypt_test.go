package xlsxfmt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestDecryptStandard: a workbook encrypted by excelize (ECMA-376 standard encryption,
// AES-128 and SHA-1) reads as the plain workbook with the right password, and the
// verifier tells a wrong one apart.
func TestDecryptStandard(t *testing.T) {
	const rel = "xlsxwriter-excel-refs/utf8_01.xlsx"
	plain, err := os.ReadFile(corpus(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	const password = "pässwörd ✓"
	enc, err := excelize.Encrypt(plain, &excelize.Options{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "standard.xlsx")
	if err := os.WriteFile(path, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, want := readBook(t, corpus(t, rel), Options{}, 2)
	_, _, got := readBook(t, path, Options{Password: password}, 2)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decrypted workbook reads %q, want %q", got, want)
	}
	_, err = Open(path, Options{Password: "pässwörd"})
	if !errors.Is(err, ErrPassword) || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v", err)
	}
}

// TestDecryptAgileSHA512 covers the agile parameters Excel and LibreOffice write by
// default (SHA-512, AES-256, 100,000 spins; the corpus has SHA-1/AES-128 in
// excelize/encryptSHA1.xlsx): a package encrypted as [MS-OFFCRYPTO] 2.3.4.15 says,
// several 4096-byte segments long, decrypts to the same bytes, and a wrong password
// is told apart.
func TestDecryptAgileSHA512(t *testing.T) {
	plain := append([]byte(zipMagic), bytes.Repeat([]byte("ptransform "), 1000)...)
	info, pkg := encryptAgileForTest(t, plain, "pässwörd")
	got, err := decryptWorkbook(info, pkg, "pässwörd")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("decrypted %d bytes (%v), want the %d plain bytes", len(got), err, len(plain))
	}
	if _, err := decryptWorkbook(info, pkg, "password"); !errors.Is(err, errWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := decryptWorkbook(info, pkg[:100], "pässwörd"); err == nil || !strings.Contains(err.Error(), "not the 11004 it declares") {
		t.Errorf("cut-short package: %v", err)
	}
}

// TestDecryptRefusesUnsupported: what the reader does not decrypt is an error that
// says so, never a panic nor a wrong-password message.
func TestDecryptRefusesUnsupported(t *testing.T) {
	info, pkg := encryptAgileForTest(t, []byte(zipMagic), "x")
	for _, tc := range []struct {
		name, from, to, msg string
	}{
		{"RIPEMD-160", `hashAlgorithm="SHA512"`, `hashAlgorithm="RIPEMD-160"`, `hash algorithm "RIPEMD-160" is not supported`},
		{"RC2", `cipherAlgorithm="AES"`, `cipherAlgorithm="RC2"`, "cipher RC2 ChainingModeCBC is not supported"},
		{"spin count", `spinCount="1000"`, `spinCount="2000000000"`, "spin count 2000000000 is out of range"},
		{"certificate", `uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password"`, `uri="http://schemas.microsoft.com/office/2006/keyEncryptor/certificate"`, "encrypted for a certificate"},
		{"damaged XML", `<keyData`, `<keyData<`, "its encryption description cannot be read"},
	} {
		changed := bytes.ReplaceAll(info, []byte(tc.from), []byte(tc.to))
		if bytes.Equal(changed, info) {
			t.Fatalf("%s: %s not in the test's EncryptionInfo", tc.name, tc.from)
		}
		if _, err := decryptWorkbook(changed, pkg, "x"); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
	extensible := append([]byte{3, 0, 3, 0}, info[4:]...)
	if _, err := decryptWorkbook(extensible, pkg, "x"); err == nil || !strings.Contains(err.Error(), "extensible encryption") {
		t.Errorf("extensible: %v", err)
	}
	for n := range 60 {
		standard := append([]byte{4, 0, 2, 0, 0x24, 0, 0, 0}, make([]byte, n)...)
		if _, err := decryptWorkbook(standard, pkg, "x"); err == nil {
			t.Errorf("a standard header of %d bytes: no error", n)
		}
	}
}

// encryptAgileForTest encrypts plain with password as Office's agile encryption does
// (SHA-512, AES-256-CBC, a spin count of 1000 to keep the test fast) and returns the
// EncryptionInfo and EncryptedPackage streams.
func encryptAgileForTest(t testing.TB, plain []byte, password string) (info, pkg []byte) {
	t.Helper()
	keySalt, packageSalt := bytes.Repeat([]byte{0x11}, 16), bytes.Repeat([]byte{0x22}, 16)
	packageKey := bytes.Repeat([]byte{0x33}, 32)
	verifierInput := bytes.Repeat([]byte{0x44}, 16)
	const spins = 1000
	h := hashPassword(sha512.New, keySalt, password, spins)
	encrypt := func(key, iv, data []byte) []byte {
		block, err := aes.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		padded := append(append([]byte(nil), data...), make([]byte, (16-len(data)%16)%16)...)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(padded, padded)
		return padded
	}
	keyFor := func(blockKey []byte) []byte { return hashOf(sha512.New, h, blockKey)[:32] }
	b64 := base64.StdEncoding.EncodeToString
	encVerifierInput := encrypt(keyFor(blockKeyVerifierInput), keySalt, verifierInput)
	encVerifierHash := encrypt(keyFor(blockKeyVerifierHash), keySalt, hashOf(sha512.New, verifierInput))
	encKey := encrypt(keyFor(blockKeyPackageKey), keySalt, packageKey)
	params := `blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"`
	description := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">`+
		`<keyData saltSize="16" %s saltValue="%s"/>`+
		`<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">`+
		`<p:encryptedKey spinCount="%d" saltSize="16" %s saltValue="%s" encryptedVerifierHashInput="%s" encryptedVerifierHashValue="%s" encryptedKeyValue="%s"/>`+
		`</keyEncryptor></keyEncryptors></encryption>`,
		params, b64(packageSalt), spins, params, b64(keySalt), b64(encVerifierInput), b64(encVerifierHash), b64(encKey))
	info = append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, description...)
	pkg = binary.LittleEndian.AppendUint64(nil, uint64(len(plain)))
	for i := 0; i*4096 < len(plain); i++ {
		iv := hashOf(sha512.New, packageSalt, binary.LittleEndian.AppendUint32(nil, uint32(i)))[:16]
		pkg = append(pkg, encrypt(packageKey, iv, plain[i*4096:min((i+1)*4096, len(plain))])...)
	}
	return info, pkg
}

// FuzzDecryptWorkbook: any EncryptionInfo and EncryptedPackage give a package or an
// error, never a panic (the reader used to recover excelize's panics on malformed
// headers; this one must not have any). The spin count is capped by the fuzzer's
// inputs only through maxSpinCount, so seeds keep theirs small.
func FuzzDecryptWorkbook(f *testing.F) {
	info, pkg := encryptAgileForTest(f, []byte(zipMagic+"fuzz"), "x")
	f.Add(info, pkg)
	standard := append([]byte{4, 0, 2, 0, 0x24, 0, 0, 0, 0x24, 0, 0, 0}, make([]byte, 32+72)...)
	binary.LittleEndian.PutUint32(standard[12+8:], algAES128)
	binary.LittleEndian.PutUint32(standard[12+16:], 128)
	binary.LittleEndian.PutUint32(standard[12+32:], 16)
	f.Add(standard, make([]byte, 40))
	f.Fuzz(func(t *testing.T, info, pkg []byte) {
		if bytes.Contains(info, []byte("spinCount")) && !bytes.Contains(info, []byte(`spinCount="1000"`)) {
			t.Skip("a large spin count is slow by design")
		}
		out, err := decryptWorkbook(info, pkg, "x")
		if err == nil && len(out) > len(pkg) {
			t.Errorf("%d bytes decrypted from a %d-byte package", len(out), len(pkg))
		}
	})
}
