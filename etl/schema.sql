-- Warehouse schema. One file per version: data/warehouse/kla-vNNNN.duckdb, named by data/warehouse/CURRENT.
-- Applied with CREATE ... IF NOT EXISTS on every publish, so adding a table or column here is a migration
-- (use ALTER TABLE ... ADD COLUMN IF NOT EXISTS below the CREATE for columns added later).
-- Naming: dim_ (regions), fact_ (loaded data), ref_ (reference catalogs from data/reference/), geo_ (boundaries),
-- meta_ (load history). Codes are Kemendagri codes (74.71 = Kota Kendari, 74.71.01 = Kec. Mandonga,
-- 74.71.01.1005 = Kel. Mandonga). Never join on names.

CREATE TABLE IF NOT EXISTS meta_version (
    version      VARCHAR,      -- v0001, v0002, ...
    parent       VARCHAR,      -- the version this one was copied from (NULL for the first)
    created_at   TIMESTAMP,
    action       VARCHAR,      -- load | sample | rollback-copy
    note         VARCHAR,
    user_name    VARCHAR
);

CREATE TABLE IF NOT EXISTS meta_load (
    load_id         VARCHAR,   -- <version>-<n>
    version         VARCHAR,
    dataset         VARCHAR,
    file_name       VARCHAR,
    file_sha256     VARCHAR,
    rows_read       INTEGER,
    rows_loaded     INTEGER,
    rows_rejected   INTEGER,
    dropped_columns VARCHAR,   -- headers dropped at read (personal data or unknown), comma separated
    warnings        INTEGER,
    warning_text    VARCHAR,   -- the warnings as the report printed them (JUMLAH reconciliation etc.)
    is_sample       BOOLEAN,   -- synthetic sample data
    user_name       VARCHAR,
    loaded_at       TIMESTAMP
);

-- added for issue 20: the user who accepted JUMLAH rows that differ from the sum of their detail rows
-- (--terima-selisih, the Data page's "Terima selisih JUMLAH"); NULL when there was no difference to accept
ALTER TABLE meta_load ADD COLUMN IF NOT EXISTS totals_accepted_by VARCHAR;

CREATE TABLE IF NOT EXISTS dim_wilayah (
    kode        VARCHAR,       -- Kemendagri code
    level       VARCHAR,       -- kota | kecamatan | kelurahan
    nama        VARCHAR,
    kode_induk  VARCHAR,       -- parent code
    lat         DOUBLE,        -- approximate point (office or mean of offices); boundaries live in geo_batas
    lon         DOUBLE
);

-- added for many kab/kota: levels provinsi | kota | kabupaten | kecamatan | kelurahan | desa. Rows from
-- data/reference/wilayah.csv have no load_id; rows loaded with `etl load wilayah` keep theirs.
ALTER TABLE dim_wilayah ADD COLUMN IF NOT EXISTS load_id VARCHAR;

CREATE TABLE IF NOT EXISTS fact_penduduk (
    tahun           INTEGER,
    kode_wilayah    VARCHAR,   -- kelurahan code, or kecamatan code when the source has no kelurahan
    level           VARCHAR,   -- kelurahan | kecamatan
    kode_kecamatan  VARCHAR,
    jenis_kelamin   VARCHAR,   -- L | P | T (T = not split by sex in the source)
    umur_min        INTEGER,   -- age band, inclusive, within 0..17
    umur_max        INTEGER,
    jumlah_anak     BIGINT,
    load_id         VARCHAR
);

-- added for BPS tables: 15-17 estimated as 3/5 of a 15-19 band (shown as an estimate wherever it is used)
ALTER TABLE fact_penduduk ADD COLUMN IF NOT EXISTS estimasi BOOLEAN DEFAULT false;

CREATE TABLE IF NOT EXISTS fact_kasus (
    kasus_id          VARCHAR, -- salted SHA-256 of the register number; the number itself is never stored
    bulan_kejadian    DATE,    -- first day of the month (month precision on purpose)
    bulan_pelaporan   DATE,
    kode_kecamatan    VARCHAR,
    kode_kelurahan    VARCHAR,
    jenis_kelamin     VARCHAR, -- L | P
    usia              INTEGER, -- years, 0..17
    kelompok_umur     VARCHAR, -- 0-5 | 6-12 | 13-17 (SIMFONI-PPA bins)
    tempat_kejadian   VARCHAR,
    hubungan_pelaku   VARCHAR,
    layanan           VARCHAR, -- one or more, separated by "; "
    disabilitas       VARCHAR,
    load_id           VARCHAR
);

CREATE TABLE IF NOT EXISTS fact_kasus_bentuk (
    kasus_id  VARCHAR,
    bentuk    VARCHAR          -- a case can have several forms: counts by form add up to more than cases
);

CREATE TABLE IF NOT EXISTS fact_rbra (
    rbra_id         VARCHAR,   -- stable id: hash of kelurahan code and normalised name
    nama            VARCHAR,
    kode_kecamatan  VARCHAR,
    kode_kelurahan  VARCHAR,
    latitude        DOUBLE,
    longitude       DOUBLE,
    status          VARCHAR,   -- standardisation status (data/reference/kategori_data.csv, status_rbra)
    tahun           INTEGER,
    luas_m2         DOUBLE,
    fasilitas       VARCHAR,
    pengelola       VARCHAR,
    load_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS fact_nilai_indikator (
    tahun          INTEGER,
    nomor          INTEGER,    -- 1..24, see ref_indikator
    nilai          DOUBLE,
    target         DOUBLE,
    opd_pengampu   VARCHAR,
    status_bukti   VARCHAR,    -- Lengkap | Sebagian | Belum
    catatan        VARCHAR,
    load_id        VARCHAR
);

-- added for many kab/kota: the kab/kota whose evaluation this is (74.71 for rows loaded before)
ALTER TABLE fact_nilai_indikator ADD COLUMN IF NOT EXISTS kode_wilayah VARCHAR DEFAULT '74.71';
-- the evaluation stage the values are from (data/reference/kategori_data.csv tahap_kla); rows loaded before
-- stages were kept were the city's own self-assessment
ALTER TABLE fact_nilai_indikator ADD COLUMN IF NOT EXISTS tahap VARCHAR DEFAULT 'evaluasi_mandiri';

CREATE TABLE IF NOT EXISTS fact_tindak_lanjut (
    tindak_lanjut_id  VARCHAR, -- stable id: the file's ID column, or a hash of meeting date, task and OPD
    tanggal_rapat     DATE,
    tugas             VARCHAR,
    nomor             INTEGER, -- KLA indicator 1..24, NULL when the task is not about one indicator
    opd               VARCHAR,
    tenggat           DATE,
    status            VARCHAR, -- Belum | Proses | Selesai | Batal (kategori_data.csv, status_tugas)
    catatan           VARCHAR,
    load_id           VARCHAR  -- the load or page edit that wrote this row (meta_load says who and when)
);

-- added for many kab/kota: the task force (kab/kota) the follow-up belongs to
ALTER TABLE fact_tindak_lanjut ADD COLUMN IF NOT EXISTS kode_wilayah VARCHAR DEFAULT '74.71';

CREATE TABLE IF NOT EXISTS fact_kla_kecamatan (
    tahun           INTEGER,
    kode_kecamatan  VARCHAR,
    nilai           DOUBLE,    -- NULL when only a category was given
    kategori        VARCHAR,   -- Pratama | Madya | Nindya | Utama | KLA
    catatan         VARCHAR,
    load_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS fact_kasus_rekap (
    tahun          INTEGER,
    periode        VARCHAR,    -- as the source wrote it: 2022, Jan-Jun 2024, Semester I 2024
    periode_awal   DATE,
    periode_akhir  DATE,
    kode_wilayah   VARCHAR,    -- 74.71 for the whole city, else a kecamatan code
    dimensi        VARCHAR,    -- total | bentuk | kelompok_umur | jenis_kelamin | tempat_kejadian
    kategori       VARCHAR,    -- the category, "Jumlah" for the total
    jumlah         INTEGER,
    satuan         VARCHAR,    -- kasus | korban | bentuk (one victim counted once per form)
    sumber         VARCHAR,    -- who published it; two sources are never merged
    catatan        VARCHAR,
    load_id        VARCHAR
);

-- added for issue 19: KLA evaluation results per year and stage, one row per published figure (etl/sources/kla_hasil.py).
-- The category comes only from tahap 'final'; two sources that disagree are two rows (never merged).
CREATE TABLE IF NOT EXISTS fact_kla_hasil (
    tahun           INTEGER,   -- evaluation year
    tahap           VARCHAR,   -- evaluasi_mandiri | verifikasi_administrasi | verifikasi_lapangan | final | tidak_disebut
    kode_wilayah    VARCHAR,   -- kab/kota code (74.71)
    kelompok        VARCHAR,   -- Total | Kelembagaan | Klaster I .. Klaster V
    nilai           DOUBLE,    -- points; NULL when only a category was published
    kategori        VARCHAR,   -- Pratama .. KLA (ref_kategori); only on tahap 'final', kelompok 'Total'
    sumber          VARCHAR,   -- who said it (required); a load replaces (tahun, kode_wilayah, sumber)
    tanggal_sumber  DATE,      -- date of the source (published, letter or statement); NULL when unknown
    tautan          VARCHAR,   -- URL of the source
    catatan         VARCHAR,   -- e.g. SINGLE-SOURCE, CONFLICT, the source's own words ("sekitar 934")
    load_id         VARCHAR
);

-- added for issue 19: single published figures no other dataset holds (etl/sources/angka_publik.py), such as
-- Kendari's 111.508 children aged 0-17 in August 2021. Two sources that disagree are two rows (never merged).
CREATE TABLE IF NOT EXISTS fact_angka_publik (
    topik         VARCHAR,   -- data/reference/kategori_data.csv topik_angka_publik: anak_0_17 | penduduk | ...
    tahun         INTEGER,   -- year the figure is for
    tanggal_data  DATE,      -- date the figure refers to ("Agustus 2021" -> 2021-08-01); NULL when only the year
    kode_wilayah  VARCHAR,   -- Kemendagri code of the area (74.71)
    nilai         DOUBLE,    -- the number as published
    satuan        VARCHAR,   -- jiwa | anak | persen (satuan_angka_publik)
    sumber        VARCHAR,   -- who published it (required); a load replaces (topik, kode_wilayah, sumber)
    tautan        VARCHAR,   -- URL of the source
    catatan       VARCHAR,   -- e.g. SINGLE-SOURCE, words that are not an exact number ("sekitar 117.000")
    load_id       VARCHAR
);

CREATE TABLE IF NOT EXISTS ref_indikator (
    nomor          INTEGER,
    kelompok       VARCHAR,    -- Kelembagaan, Klaster I .. Klaster V
    kelompok_urut  INTEGER,
    nama           VARCHAR,
    nama_singkat   VARCHAR,
    opd_pengampu   VARCHAR,
    nilai_maks     DOUBLE,     -- empty: KemenPPPA publishes no points per indicator (data/reference/indikator.csv)
    terkonfirmasi  BOOLEAN,
    sumber         VARCHAR,    -- codes of data/reference/indikator_sumber.csv
    catatan        VARCHAR
);
ALTER TABLE ref_indikator ADD COLUMN IF NOT EXISTS nama_singkat VARCHAR;
ALTER TABLE ref_indikator ADD COLUMN IF NOT EXISTS sumber VARCHAR;

CREATE TABLE IF NOT EXISTS ref_kategori (
    kategori  VARCHAR,
    skor_min  DOUBLE,
    skor_max  DOUBLE,
    urut      INTEGER,
    catatan   VARCHAR
);

CREATE TABLE IF NOT EXISTS geo_batas (
    kode       VARCHAR,        -- Kemendagri code of the area
    level      VARCHAR,        -- kecamatan | kelurahan as loaded; kabkota | provinsi dissolved from kecamatan
    nama       VARCHAR,
    luas_km2   DOUBLE,         -- computed in the area's UTM zone (Kendari: 51S, EPSG:32751)
    geom_wkb   BLOB,           -- full geometry, WGS84, WKB
    geojson    VARCHAR,        -- simplified display geometry, WGS84, GeoJSON geometry text
    load_id    VARCHAR
);

-- added for issue 22: the evidence (data dukung) checklist. The template is data/reference/bukti_item.csv
-- (editable by the task force); ref_bukti_item is rebuilt from it on every publish, like ref_indikator.
CREATE TABLE IF NOT EXISTS ref_bukti_item (
    item_id        VARCHAR,    -- stable code of an evidence item: <indicator>.<nn>, e.g. 11.02
    nomor          INTEGER,    -- KLA indicator 1..24 (ref_indikator)
    urut           INTEGER,    -- order of the item within its indicator
    item           VARCHAR,    -- what the verifiers look for, e.g. "SK Gugus Tugas KLA tahun berjalan"
    jenis_dokumen  VARCHAR,    -- kategori_data.csv jenis_bukti: kebijakan | anggaran | data | laporan | foto | ...
    opd            VARCHAR,    -- responsible OPD (data/reference/opd.csv name)
    sumber         VARCHAR,    -- where the item comes from (instrument, meeting report); codes of indikator_sumber.csv
    catatan        VARCHAR
);

-- issue 22: the state of each evidence item per evaluation year and kab/kota (etl/sources/bukti.py, or the
-- Kesiapan page). One row per (tahun, kode_wilayah, item_id); a load replaces the rows of the items it names.
CREATE TABLE IF NOT EXISTS fact_bukti (
    tahun           INTEGER,   -- evaluation year
    kode_wilayah    VARCHAR,   -- kab/kota code (74.71)
    item_id         VARCHAR,   -- ref_bukti_item
    status          VARCHAR,   -- belum | diunggah | diperiksa | diterima | perlu_perbaikan (kategori_data.csv status_bukti_item)
    catatan         VARCHAR,   -- the reviewer's note: free text, analysts only
    tautan          VARCHAR,   -- a link to the document when it lives elsewhere (analysts only)
    tenggat         DATE,      -- when the OPD must have it in; NULL: the verification date
    diperbarui_oleh VARCHAR,   -- who last changed the state
    diperbarui_pada TIMESTAMP,
    load_id         VARCHAR
);

-- issue 22: evidence files attached to an item. The bytes live outside the warehouse, content-addressed:
-- KLA_DATA_DIR/bukti/<sha256[:2]>/<sha256> (or the S3-compatible store of pengaturan.toml [bukti]); this table
-- is their metadata, so attaching a file is a new warehouse version like any load. Never shown to public viewers.
CREATE TABLE IF NOT EXISTS fact_bukti_berkas (
    tahun          INTEGER,
    kode_wilayah   VARCHAR,
    item_id        VARCHAR,
    sha256         VARCHAR,    -- the file's content address
    nama_berkas    VARCHAR,    -- the name it was uploaded with (analysts only)
    jenis          VARCHAR,    -- the type found from its content: pdf | png | jpeg | docx | xlsx | ...
    ukuran         BIGINT,     -- bytes
    diunggah_oleh  VARCHAR,
    diunggah_pada  TIMESTAMP,
    load_id        VARCHAR
);

-- issue 22: dates of the evaluation stages per year (the verification date the readiness view counts down to),
-- set on the Kesiapan page or loaded; the newest row per (tahun, kode_wilayah, tahap) holds
CREATE TABLE IF NOT EXISTS fact_jadwal_kla (
    tahun          INTEGER,
    kode_wilayah   VARCHAR,
    tahap          VARCHAR,    -- kategori_data.csv tahap_kla: evaluasi_mandiri | verifikasi_administrasi | ...
    tanggal        DATE,
    catatan        VARCHAR,
    load_id        VARCHAR
);

-- added for issue 23: Forum Anak at kota, kecamatan and kelurahan level (etl/sources/forum_anak.py). Counts of
-- members only, never names. One row per forum and year of the record; a load replaces the forums it names.
CREATE TABLE IF NOT EXISTS fact_forum_anak (
    forum_id          VARCHAR, -- stable id: hash of level and area code (one forum per area)
    tahun             INTEGER, -- the year the record describes
    tingkat           VARCHAR, -- kota | kecamatan | kelurahan
    kode_wilayah      VARCHAR, -- Kemendagri code of the area (74.71, 74.71.01, 74.71.01.1005)
    nama_forum        VARCHAR, -- e.g. Fantari (Forum Anak Kota Kendari)
    sk_nomor          VARCHAR, -- the decree that set it up
    sk_tanggal        DATE,
    anggota_l         INTEGER, -- members, boys
    anggota_p         INTEGER, -- members, girls
    anggota_6_12      INTEGER, -- members by age group (NULL when the file does not say)
    anggota_13_17     INTEGER,
    anggota_18        INTEGER, -- members aged 18 (Forum Anak takes members up to 18)
    pelatihan_kha     BOOLEAN, -- training on the Convention on the Rights of the Child done
    aktif             BOOLEAN,
    kegiatan_terakhir DATE,    -- month precision (first of the month)
    pembina           VARCHAR, -- the supervising body or officer: analysts only
    catatan           VARCHAR, -- free text: analysts only
    load_id           VARCHAR
);

-- issue 23: children's proposals in the Musrenbang (etl/sources/usulan_anak.py). The proposal text is written by
-- children and may contain names: analysts only, unless an analyst has reviewed it for publication
-- (teks_publik holds the reviewed text; the public sees that, never `usulan`).
CREATE TABLE IF NOT EXISTS fact_usulan_anak (
    usulan_id       VARCHAR,   -- stable id: the file's ID column, or a hash of cycle, area and proposal text
    siklus          INTEGER,   -- RKPD year the proposal is for
    tingkat         VARCHAR,   -- musrenbang level: kelurahan | kecamatan | kota | musrenbang_anak
    kode_wilayah    VARCHAR,
    forum_id        VARCHAR,   -- fact_forum_anak, NULL when not from a forum
    usulan          VARCHAR,   -- the proposal as written: analysts only
    tema            VARCHAR,   -- theme (kategori_data.csv tema_usulan)
    klaster         VARCHAR,   -- Kelembagaan, Klaster I .. Klaster V, NULL when none
    opd_tujuan      VARCHAR,   -- target OPD (opd.csv)
    status          VARCHAR,   -- diajukan | diakomodir | direalisasikan | ditolak (kategori_data.csv status_usulan)
    alasan          VARCHAR,   -- reason when rejected: analysts only
    tautan_bukti    VARCHAR,   -- analysts only
    teks_publik     VARCHAR,   -- reviewed text that may be shown publicly; NULL: not reviewed
    ditinjau_oleh   VARCHAR,   -- the analyst who reviewed it for publication
    ditinjau_pada   TIMESTAMP,
    load_id         VARCHAR
);

-- issue 24: the province's roll-up from signed kab/kota bundles (etl/rollup.py, docs/provinsi.md). Only what a
-- public viewer of the kab/kota may see: its protected case publication (a hidden cell has no value, only its
-- mark), indicator values and children per kecamatan. Each import replaces that kab/kota's rows.
CREATE TABLE IF NOT EXISTS rollup_kasus (
    kabkota   VARCHAR,   -- the kab/kota whose bundle this is (74.71)
    family    VARCHAR,   -- kla.publication family: n (cases), bentuk, kelompok_umur, ..., bulan
    kategori  VARCHAR,   -- the category (NULL for the family n)
    wilayah   VARCHAR,   -- the kab/kota or one of its kecamatan
    tahun     INTEGER,   -- NULL: all years of the register
    nilai     BIGINT,    -- the shown count; NULL when hidden
    tanda     VARCHAR    -- '' shown, '<5' a small count (1-4), 'disembunyikan' hidden to protect another cell
);
CREATE TABLE IF NOT EXISTS rollup_nilai (
    kabkota VARCHAR, tahun INTEGER, nomor INTEGER, nilai DOUBLE, target DOUBLE, tahap VARCHAR
);
CREATE TABLE IF NOT EXISTS rollup_penduduk (
    kabkota VARCHAR, tahun INTEGER, kode_kecamatan VARCHAR, jumlah_anak BIGINT, estimasi BOOLEAN
);
CREATE TABLE IF NOT EXISTS meta_bundle (
    kabkota      VARCHAR,
    nama         VARCHAR,
    versi_sumber VARCHAR,   -- the kab/kota's warehouse version the bundle was made from
    dibuat       TIMESTAMP, -- when the bundle was made (UTC): an older bundle never replaces a newer one
    kunci        VARCHAR,   -- fingerprint of the registered key that verified it
    versi        VARCHAR,   -- the version of this warehouse that imported it
    dimuat_pada  TIMESTAMP
);
