import type { Logger } from 'pino';
import { hashPassword } from '../auth/passwords.js';
import type { Sql } from './postgres.js';

export const DEMO_LOGINS = {
  admin: { email: 'admin@demo.examhall.test', password: 'demo-admin-pass' },
  teacher: { email: 'teacher@demo.examhall.test', password: 'demo-teacher-pass' },
  student: { nisn: '0012345601', password: 'demo-student' },
};

/**
 * A first start on an empty database seeds a demo school so a newcomer can sign in at once.
 * "Empty" means no staff and no students; the whole seed is one transaction under an
 * advisory lock, so it happens exactly once even when processes start together.
 */
export async function seedDemo(sql: Sql, log: Logger): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7402113552)`;
    const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM students) AS n`;
    if (n > 0) return false;
    const [cls] = await tx<{ id: string }[]>`
      INSERT INTO classes (grade_level, major_code, group_number, name) VALUES (10, 'IPA', 1, 'X IPA 1') RETURNING id`;
    await tx`INSERT INTO classes (grade_level, major_code, group_number, name) VALUES (10, 'IPS', 1, 'X IPS 1')`;
    const studentHash = await hashPassword(DEMO_LOGINS.student.password, 8);
    const students = Array.from({ length: 30 }, (_, i) => ({
      nisn: `00123456${String(i + 1).padStart(2, '0')}`,
      name: DEMO_NAMES[i % DEMO_NAMES.length]!,
      class_id: cls!.id,
      password_hash: studentHash,
    }));
    await tx`INSERT INTO students ${tx(students, 'nisn', 'name', 'class_id', 'password_hash')}`;
    await tx`
      INSERT INTO staff (email, name, password_hash, role_id) VALUES
        (${DEMO_LOGINS.admin.email}, 'Demo Admin', ${await hashPassword(DEMO_LOGINS.admin.password, 10)}, (SELECT id FROM roles WHERE name = 'Admin')),
        (${DEMO_LOGINS.teacher.email}, 'Demo Teacher', ${await hashPassword(DEMO_LOGINS.teacher.password, 10)}, (SELECT id FROM roles WHERE name = 'Teacher'))`;
    log.info('demo school seeded');
    return true;
  });
}

const DEMO_NAMES = [
  'Ayu Lestari', 'Budi Santoso', 'Citra Dewi', 'Dimas Pratama', 'Eka Putri', 'Fajar Nugroho', 'Gita Maharani',
  'Hadi Wijaya', 'Indah Permata', 'Joko Susilo', 'Kartika Sari', 'Lukman Hakim', 'Maya Anggraini', 'Nanda Saputra',
  'Oktavia Rahma', 'Putra Ramadhan', 'Qori Amalia', 'Rizky Firmansyah', 'Sinta Wulandari', 'Teguh Prasetyo',
  'Umi Kalsum', 'Vina Oktaviani', 'Wahyu Hidayat', 'Xena Puspita', 'Yoga Aditya', 'Zahra Nabila', 'Arif Rahman',
  'Bella Safitri', 'Candra Kusuma', 'Dewi Anjani',
];
