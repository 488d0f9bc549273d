/** Name and word lists for the generated tenant: kanji with katakana readings (SmartHR `*_yomi`). */

export const LAST_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'], ['山田', 'ヤマダ'], ['佐々木', 'ササキ'], ['山口', 'ヤマグチ'], ['松本', 'マツモト'],
  ['井上', 'イノウエ'], ['木村', 'キムラ'], ['林', 'ハヤシ'], ['斎藤', 'サイトウ'], ['清水', 'シミズ'],
  ['山崎', 'ヤマザキ'], ['森', 'モリ'], ['池田', 'イケダ'], ['橋本', 'ハシモト'], ['阿部', 'アベ'],
  ['石川', 'イシカワ'], ['山下', 'ヤマシタ'], ['中島', 'ナカジマ'], ['石井', 'イシイ'], ['小川', 'オガワ'],
  ['前田', 'マエダ'], ['岡田', 'オカダ'], ['長谷川', 'ハセガワ'], ['藤田', 'フジタ'], ['後藤', 'ゴトウ'],
  ['近藤', 'コンドウ'], ['村上', 'ムラカミ'], ['遠藤', 'エンドウ'], ['青木', 'アオキ'], ['坂本', 'サカモト'],
  ['髙橋', 'タカハシ'], ['齋藤', 'サイトウ'], ['渡邊', 'ワタナベ'],
];

export const FIRST_NAMES_MALE: ReadonlyArray<readonly [string, string]> = [
  ['翔太', 'ショウタ'], ['大輔', 'ダイスケ'], ['拓也', 'タクヤ'], ['健太', 'ケンタ'], ['直樹', 'ナオキ'],
  ['誠', 'マコト'], ['浩二', 'コウジ'], ['隆', 'タカシ'], ['蓮', 'レン'], ['悠真', 'ユウマ'],
  ['陽翔', 'ハルト'], ['湊', 'ミナト'], ['一郎', 'イチロウ'], ['和也', 'カズヤ'], ['亮', 'リョウ'],
  ['颯太', 'ソウタ'], ['剛', 'ツヨシ'], ['修', 'オサム'], ['大樹', 'ダイキ'], ['信之', 'ノブユキ'],
];

export const FIRST_NAMES_FEMALE: ReadonlyArray<readonly [string, string]> = [
  ['陽子', 'ヨウコ'], ['美咲', 'ミサキ'], ['愛', 'アイ'], ['結衣', 'ユイ'], ['さくら', 'サクラ'],
  ['恵子', 'ケイコ'], ['由美', 'ユミ'], ['真由美', 'マユミ'], ['葵', 'アオイ'], ['陽菜', 'ヒナ'],
  ['彩', 'アヤ'], ['千尋', 'チヒロ'], ['智子', 'トモコ'], ['裕子', 'ユウコ'], ['凛', 'リン'],
  ['芽依', 'メイ'], ['奈々', 'ナナ'], ['久美子', 'クミコ'], ['明美', 'アケミ'], ['花子', 'ハナコ'],
];

/** Romanised forms of the readings, for e-mail local parts. */
export const ROMAJI: Record<string, string> = {
  サトウ: 'sato', スズキ: 'suzuki', タカハシ: 'takahashi', タナカ: 'tanaka', イトウ: 'ito', ワタナベ: 'watanabe',
  ヤマモト: 'yamamoto', ナカムラ: 'nakamura', コバヤシ: 'kobayashi', カトウ: 'kato', ヨシダ: 'yoshida',
  ヤマダ: 'yamada', ササキ: 'sasaki', ヤマグチ: 'yamaguchi', マツモト: 'matsumoto', イノウエ: 'inoue',
  キムラ: 'kimura', ハヤシ: 'hayashi', サイトウ: 'saito', シミズ: 'shimizu', ヤマザキ: 'yamazaki', モリ: 'mori',
  イケダ: 'ikeda', ハシモト: 'hashimoto', アベ: 'abe', イシカワ: 'ishikawa', ヤマシタ: 'yamashita',
  ナカジマ: 'nakajima', イシイ: 'ishii', オガワ: 'ogawa', マエダ: 'maeda', オカダ: 'okada', ハセガワ: 'hasegawa',
  フジタ: 'fujita', ゴトウ: 'goto', コンドウ: 'kondo', ムラカミ: 'murakami', エンドウ: 'endo', アオキ: 'aoki',
  サカモト: 'sakamoto',
  ショウタ: 'shota', ダイスケ: 'daisuke', タクヤ: 'takuya', ケンタ: 'kenta', ナオキ: 'naoki', マコト: 'makoto', コウジ: 'koji',
  タカシ: 'takashi', レン: 'ren', ユウマ: 'yuma', ハルト: 'haruto', ミナト: 'minato', イチロウ: 'ichiro', カズヤ: 'kazuya',
  リョウ: 'ryo', ソウタ: 'sota', ツヨシ: 'tsuyoshi', オサム: 'osamu', ダイキ: 'daiki', ノブユキ: 'nobuyuki', ヨウコ: 'yoko',
  ミサキ: 'misaki', アイ: 'ai', ユイ: 'yui', サクラ: 'sakura', ケイコ: 'keiko', ユミ: 'yumi', マユミ: 'mayumi', アオイ: 'aoi',
  ヒナ: 'hina', アヤ: 'aya', チヒロ: 'chihiro', トモコ: 'tomoko', ユウコ: 'yuko', リン: 'rin', メイ: 'mei', ナナ: 'nana',
  クミコ: 'kumiko', アケミ: 'akemi', ハナコ: 'hanako',
};

export const DEPARTMENT_WORDS = [
  '営業', '開発', '人事', '総務', '経理', '法務', '企画', 'マーケティング', '品質保証', '製造', '物流', '購買',
  'カスタマーサクセス', 'インフラ', 'デザイン', '広報', '研究', '情報システム',
];
export const DEPARTMENT_SUFFIXES = ['本部', '部', '課', 'グループ', 'チーム'];

export const JOB_TITLES: ReadonlyArray<readonly [string, number]> = [
  ['代表取締役', 1], ['取締役', 10], ['本部長', 100], ['部長', 200], ['次長', 250], ['課長', 300],
  ['係長', 400], ['主任', 500], ['リーダー', 550], ['一般', 900],
];

export const PREFS = ['東京都', '大阪府', '神奈川県', '愛知県', '福岡県', '北海道', '京都府', '埼玉県'];
export const CITIES = ['千代田区', '港区', '新宿区', '渋谷区', '中央区', '北区', '横浜市西区', '名古屋市中区', '福岡市博多区'];
export const OFFICES = ['本社', '大阪支社', '名古屋営業所', '福岡営業所', '札幌営業所'];
export const RESIGN_REASONS = ['自己都合', '会社都合', '契約期間満了', '定年退職'];
